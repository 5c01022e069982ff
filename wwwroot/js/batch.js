// Coalesces redraws: however many changes arrive before the next frame (a catch-up of hundreds of live events,
// an edit and its echo), the page draws once, just before the browser paints.

/**
 * Returns `schedule()`: the first call asks for `work` to run at the next animation frame, later calls until then
 * change nothing. `schedule.now()` runs pending work at once (for code that needs the drawn page straight away).
 * @param {() => void} work
 * @param {(callback: () => void) => unknown} requestFrame  window.requestAnimationFrame by default (tests pass their own)
 */
export function coalesce(work, requestFrame = callback => requestAnimationFrame(callback)) {
  let pending = false;
  const run = () => {
    if (!pending) return; // already run by now()
    pending = false;
    work();
  };
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestFrame(run);
  };
  schedule.now = () => {
    pending = true;
    run();
  };
  return schedule;
}

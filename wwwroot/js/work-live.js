// Live updates of the workflow pages (Assignments, Progress, My work): the hub sends every assignment and document
// state change of the project (an annotator hears only their own). The page then reloads to show it, unless the
// person has ticked boxes on the matrix: their choice is not thrown away, a notice offers the reload instead.

/* global signalR */

const root = document.querySelector('[data-work-live]');
const notice = document.getElementById('work-changed');

function changedElsewhere() {
  const ticked = document.querySelectorAll('input[form=matrix-form]:checked').length > 0;
  if (ticked && notice) { notice.hidden = false; return; }
  location.reload();
}

if (root && typeof signalR !== 'undefined') {
  const projectId = Number(root.dataset.workLive);
  let timer = null;
  const connection = new signalR.HubConnectionBuilder().withUrl('/hubs/annotations').withAutomaticReconnect().build();
  connection.on('Changed', e => {
    if (!['assignment_added', 'assignment_removed', 'document_state_changed'].includes(e.kind)) return;
    // This person's own changes are on the page already (their form's answer showed them).
    if (e.actorId === root.dataset.me) return;
    // A bulk change is many entries: one reload after they have arrived.
    clearTimeout(timer);
    timer = setTimeout(changedElsewhere, 400);
  });
  connection.onreconnected(() => connection.invoke('WatchWork', projectId));
  connection.start().then(() => connection.invoke('WatchWork', projectId)).then(() => { root.dataset.workLiveState = 'live'; }).catch(() => {});
}

// What undoing and redoing each kind of edit does, as steps for EditHistory. Steps hold ids, never versions: they
// change whatever version the page holds when they run. A span or link that undo or redo makes again gets its old
// id back (the server accepts a deleted one's id), so the steps around it still find it; the step keeps what the
// server answered. `changes` is the page's calls to the server (changes.js): putSpan, patchSpan, dropSpan,
// putLink, dropLink, each answering {ok, status, value, detail}.

export function spanCreated(changes, annotation) {
  const step = {
    undo: () => changes.dropSpan(step.annotation.id),
    redo: async () => {
      const result = await changes.putSpan(step.annotation);
      if (result.ok) step.annotation = result.value;
      return result;
    },
    annotation,
  };
  return step;
}

/** `before` and `after` hold only the fields the edit touched, so undo puts back nobody else's change. */
export function spanUpdated(changes, id, before, after) {
  return { undo: () => changes.patchSpan(id, before), redo: () => changes.patchSpan(id, after) };
}

/** Deleting a span deletes its links too: undoing it brings back the span and this person's links (others' are theirs to make). */
export function spanDeleted(changes, annotation, links) {
  const step = {
    undo: async () => {
      const result = await changes.putSpan(step.annotation);
      if (!result.ok) return result;
      step.annotation = result.value;
      const restored = [];
      for (const link of step.links) {
        const made = await changes.putLink(link);
        if (made.ok) restored.push(made.value);
      }
      step.links = restored;
      return result;
    },
    redo: () => changes.dropSpan(step.annotation.id),
    annotation, links,
  };
  return step;
}

export function linkCreated(changes, relation) {
  const step = {
    undo: () => changes.dropLink(step.relation.id),
    redo: async () => {
      const result = await changes.putLink(step.relation);
      if (result.ok) step.relation = result.value;
      return result;
    },
    relation,
  };
  return step;
}

export function linkDeleted(changes, relation) {
  const step = linkCreated(changes, relation);
  return { undo: step.redo, redo: step.undo };
}

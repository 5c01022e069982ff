// Unit tests of the label tags' layout (wwwroot/js/editor/tag-layout.js): which tags stand where and in what order,
// how deep each span's underline sits, abbreviations, initials and disagreements between annotators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abbreviate, initialsOf, levels, disagreements, tagPlan, tagKey, TAG_MAX, TagPlanCache } from '../../wwwroot/js/editor/tag-layout.js';

const span = (id, label, start, end, annotatorId = 'u1', layer = 'entity', annotatorName = annotatorId) =>
  ({ id, label, start, end, annotatorId, annotatorName, layer });

test('short labels are whole; long ones by their initials or first three letters; emoji are never split', () => {
  assert.equal(abbreviate('PERSON'), 'PERSON');
  assert.equal(abbreviate('EQUIPMENT'), 'EQUIPMENT');
  assert.equal(abbreviate('ORGANIZATION'), 'ORG.');
  assert.equal(abbreviate('PUBLIC_FIGURE_OFFICIAL'), 'PFO');
  assert.equal(abbreviate('🇺🇦🇺🇦🇺🇦🇺🇦🇺🇦'), '🇺🇦🇺🇦🇺🇦🇺🇦🇺🇦'); // ten code points, five characters: whole
  assert.equal(abbreviate('🇺🇦'.repeat(10)), '🇺🇦🇺🇦🇺🇦.'); // cut between flags, never inside one
  assert.ok([...abbreviate('A'.repeat(50))].length <= TAG_MAX);
});

test('initials come from the first and last word, unique among the people shown', () => {
  const map = initialsOf([{ userId: 'a', name: 'Ana Lopez' }, { userId: 'b', name: 'ben' }, { userId: 'c', name: 'Alba de Lis' }, { userId: 'a', name: 'Ana Lopez' }]);
  assert.deepEqual([...map], [['a', 'AL'], ['b', 'BE'], ['c', 'AL2']]);
});

test('nested spans: each level counts the spans enclosing it; identical spans stack one above the other', () => {
  const outer = span('claim', 'CLAIM', 0, 40, 'u1', 'claim'), mid = span('org', 'ORG', 5, 20), inner = span('per', 'PERSON', 5, 10);
  const twin = span('per2', 'PERSON', 5, 10, 'u2'), apart = span('loc', 'LOCATION', 50, 60), crossing = span('x', 'DATE', 15, 45);
  const l = levels([inner, apart, mid, outer, twin, crossing]);
  assert.equal(l.get('claim'), 0);
  assert.equal(l.get('org'), 1);
  assert.equal(l.get('per'), 2);
  assert.equal(l.get('per2'), 3); // the same text by another annotator: one more level, never drawn in the same place
  assert.equal(l.get('loc'), 0);
  assert.equal(l.get('x'), 0); // it crosses the claim's end: not enclosed
});

test('tags that stand at one place are ordered outermost first, then by label and annotator', () => {
  const plan = tagPlan([span('in', 'PERSON', 5, 10), span('out', 'ORG', 5, 30), span('b', 'PERSON', 5, 10, 'u2'), span('later', 'DATE', 12, 14)]);
  assert.equal(plan.get('out').order, 0);
  assert.equal(plan.get('in').order, 1);
  assert.equal(plan.get('b').order, 2);
  assert.equal(plan.get('later').order, 0); // alone where it starts
  assert.equal(plan.get('out').text, 'ORG');
  assert.equal(plan.get('in').who, null); // one annotator's view: no initials
});

test('in the everyone view tags carry initials; identical spans of two annotators agree, other labels or bounds disagree', () => {
  const initials = new Map([['ana', 'AL'], ['ben', 'BK']]);
  const spans = [
    span('a1', 'PERSON', 0, 5, 'ana'), span('b1', 'PERSON', 0, 5, 'ben'), // agreement
    span('a2', 'PERSON', 10, 15, 'ana'), span('b2', 'ORGANIZATION', 10, 15, 'ben'), // label
    span('a3', 'DATE', 20, 30, 'ana'), span('b3', 'DATE', 22, 30, 'ben'), // boundaries
    span('c1', 'CLAIM', 0, 40, 'ben', 'claim'), // a claim over entities is another layer: no disagreement
  ];
  const plan = tagPlan(spans, { everyone: true, initials });
  // Agreement is one tag naming both annotators; the other span's entry points to it.
  assert.equal(plan.get('a1').text, 'PERSON · AL BK');
  assert.deepEqual(plan.get('a1').ids, ['a1', 'b1']);
  assert.equal(plan.get('b1').in, 'a1');
  assert.equal(plan.get('a1').title, 'PERSON · ana, ben');
  assert.equal(plan.get('b2').text, 'ORG. · BK');
  assert.equal(plan.get('a1').disagree, null);
  assert.equal(plan.get('b1').disagree, null);
  assert.deepEqual(plan.get('a2').disagree.map(o => o.id), ['b2']);
  assert.deepEqual(plan.get('b2').disagree.map(o => o.id), ['a2']);
  assert.deepEqual(plan.get('a3').disagree.map(o => o.id), ['b3']);
  assert.equal(plan.get('c1').disagree, null);
  assert.match(plan.get('a2').title, /Annotators disagree here:\nben: ORGANIZATION/);
  assert.match(plan.get('a3').title, /ben: DATE \(other boundaries\)/);
  assert.notEqual(tagKey(plan.get('a2')), tagKey(tagPlan(spans.filter(s => s.id !== 'b2'), { everyone: true, initials }).get('a2')));
});

test('one annotator\'s overlapping spans never disagree, nor a span another annotator also marked the same way', () => {
  assert.equal(disagreements([span('a', 'PERSON', 0, 5), span('b', 'ORG', 0, 5)]).size, 0);
  // ben marked the same PERSON as ana, and also an ORG over it: ana's PERSON is agreed, ben's ORG is his alone.
  const d = disagreements([span('a', 'PERSON', 0, 5, 'ana'), span('b', 'PERSON', 0, 5, 'ben'), span('c', 'ORG', 3, 9, 'ben')]);
  assert.deepEqual([...d.keys()], ['c']);
});

test('5,000 spans plan in well under a frame', () => {
  const many = Array.from({ length: 5000 }, (_, g) => span(`s${g}`, g % 5 ? 'ORGANIZATION' : 'CLAIM', g * 19, g * 19 + 9 + (g % 3) * 6, g % 2 ? 'ana' : 'ben'));
  const plan = tagPlan(many, { everyone: true });
  assert.equal(plan.size, 5000);
  assert.ok([...plan.values()].every(e => e.order === 0)); // none start at the same place: one tag each, nothing stacked
});

test('a plan that takes what the last one made says exactly what a plan made afresh says, edit after edit', () => {
  const span = (id, start, end, label = 'PERSON', who = 'u1') => ({ id, start, end, layer: 'entity', label, annotatorId: who, annotatorName: who === 'u1' ? 'ana lopez' : 'ben k' });
  const said = plan => JSON.stringify([...plan].sort(([x], [y]) => (x < y ? -1 : 1)));
  const steps = [
    [span('a', 0, 5), span('b', 0, 9, 'ORG'), span('c', 12, 20), span('d', 14, 16), span('e', 30, 34)],
    list => [...list, span('f', 40, 44)], // one span added away from the others
    list => [...list, span('g', 10, 25, 'EVENT')], // one enclosing c and d: their levels change
    list => list.map(a => (a.id === 'a' ? { ...a, label: 'DATE' } : a)), // one changed (a new object)
    list => list.filter(a => a.id !== 'g'), // one gone: the levels are back
    list => [...list, span('h', 30, 34, 'PERSON', 'u2'), span('i', 40, 44, 'DATE', 'u2')], // another annotator: agrees at e, disagrees at f
    list => list.filter(a => a.id !== 'i'),
  ];
  const initials = initialsOf([{ userId: 'u1', name: 'ana lopez' }, { userId: 'u2', name: 'ben k' }]);
  for (const everyone of [false, true]) {
    const reuse = new TagPlanCache();
    let list = [];
    for (const step of steps) {
      list = typeof step === 'function' ? step(list) : step;
      const options = { everyone, initials };
      const taken = tagPlan(list, options, reuse);
      assert.equal(said(taken), said(tagPlan(list, options)), `${everyone ? 'everyone' : 'one annotator'}, ${list.length} spans`);
    }
    // An entry of a place nothing touched is the same object as before: its drawing need not be planned again.
    const again = tagPlan(list, { everyone, initials }, reuse);
    assert.equal(again.get('c'), tagPlan(list, { everyone, initials }, reuse).get('c'));
  }
  // A plan for another view takes nothing from one made for this view.
  const reuse = new TagPlanCache();
  const list = [span('a', 0, 5), span('b', 0, 5, 'PERSON', 'u2')];
  const one = tagPlan(list, { everyone: false, initials }, reuse);
  const all = tagPlan(list, { everyone: true, initials }, reuse);
  assert.notEqual(all.get('a'), one.get('a'));
  assert.equal(all.get('b').in, 'a');
});

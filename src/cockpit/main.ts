// The instructor's cockpit (/cockpit): the join link and its QR code for the projector, the
// live grid of learners × exercises (topic `room` of the live channel: the course and every
// row on connect, then rows as they change), filters, the detail of one learner, the CSV export.
import { el } from '../shared/dom';
import { roomTopic, type RoomMessage } from '../shared/room-protocol';
import { liveChannel } from '../lab/live-channel';
import { clusterMapTopic, learnerMapTopic } from '../shared/cluster-map';
import { JOIN_QR, RESULTS_CSV, roomApi } from './api';
import { LearnerDetail } from './detail';
import { renderGrid, type GridModel } from './grid';
import { C } from './text';
import './cockpit.css';

const root = document.getElementById('cockpit')!;
const model: GridModel = { course: [], rows: new Map() };
const filter = { stuckOnly: false, lab: null as string | null };

const header = el('header', 'cockpit-header');
const title = el('h1', '', C.title);
const liveState = el('span', 'cockpit-live');
liveState.setAttribute('role', 'status');
const results = el('a', 'cockpit-results', C.results);
results.href = RESULTS_CSV;
results.setAttribute('download', '');
header.append(title, liveState, results);

// The join link and its QR code (an SVG made by the server: no outside service).
const join = el('section', 'cockpit-join');
join.setAttribute('aria-labelledby', 'cockpit-join-title');
const joinTitle = el('h2', '', C.join);
joinTitle.id = 'cockpit-join-title';
const joinLink = el('a', 'cockpit-join-url');
const qr = el('img', 'cockpit-qr');
qr.src = JOIN_QR;
qr.width = 180;
qr.height = 180;
const project = el('button', 'cockpit-project', C.project);
project.type = 'button';
join.append(joinTitle, qr, el('p', '', C.joinHelp), joinLink, project);
const projection = el('dialog', 'cockpit-projection');
projection.setAttribute('aria-label', C.join);
const bigQr = el('img', 'cockpit-qr-big');
bigQr.src = JOIN_QR;
const bigUrl = el('p', 'cockpit-projection-url');
const closeProjection = el('button', '', C.closeProjection);
closeProjection.type = 'button';
closeProjection.addEventListener('click', () => projection.close());
projection.append(bigQr, bigUrl, closeProjection);
project.addEventListener('click', () => projection.showModal());
roomApi.join().then(
  ({ joinUrl }) => {
    joinLink.href = joinUrl;
    joinLink.textContent = joinUrl;
    bigUrl.textContent = joinUrl;
    qr.alt = bigQr.alt = C.qrAlt(joinUrl);
  },
  (err: Error) => (joinLink.textContent = C.failed(err.message)),
);

// Filters.
const filters = el('fieldset', 'cockpit-filters');
filters.append(el('legend', '', C.filters));
const stuck = el('input');
stuck.type = 'checkbox';
stuck.id = 'cockpit-stuck';
const stuckLabel = el('label', '', C.stuckOnly);
stuckLabel.htmlFor = stuck.id;
const labSelect = el('select');
labSelect.id = 'cockpit-lab';
const labLabel = el('label', '', C.labFilter);
labLabel.htmlFor = labSelect.id;
const count = el('span', 'cockpit-count');
count.setAttribute('aria-live', 'polite');
filters.append(stuck, stuckLabel, labLabel, labSelect, count);
stuck.addEventListener('change', () => {
  filter.stuckOnly = stuck.checked;
  render();
});
labSelect.addEventListener('change', () => {
  filter.lab = labSelect.value || null;
  render();
});

const main = el('main', 'cockpit-main');
const grid = el('div', 'cockpit-grid-box');
const detail = new LearnerDetail(() => {
  live.send(learnerMapTopic, { learner: null });
  const id = lastOpened;
  if (id) grid.querySelector<HTMLElement>(`button[data-learner="${CSS.escape(id)}"]`)?.focus();
});
let lastOpened: string | null = null;
main.append(filters, grid, detail.root);
root.append(header, join, main, projection);

function fillLabs(): void {
  labSelect.replaceChildren(new Option(C.allLabs, ''));
  for (const lab of model.course) labSelect.append(new Option(`${lab.lab} — ${lab.title}`, lab.lab, false, lab.lab === filter.lab));
}

let frame = 0;
function render(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const { shown, total } = renderGrid(grid, model, filter, Date.now(), open);
    count.textContent = C.learners(shown, total);
  });
}

function open(id: string): void {
  const row = model.rows.get(id);
  if (!row) return;
  lastOpened = id;
  live.send(learnerMapTopic, { learner: id });
  void detail.open(row, model.course);
}

function receive(msg: RoomMessage): void {
  if (msg.kind === 'course') {
    model.course = msg.course;
    const keep = new Set(msg.learners);
    for (const id of [...model.rows.keys()]) if (!keep.has(id)) model.rows.delete(id);
    fillLabs();
  } else {
    model.rows.set(msg.row.id, msg.row);
    detail.update(msg.row, model.course);
  }
  root.dataset.rows = String(model.rows.size);
  render();
}

const live = liveChannel();
live.subscribe(roomTopic, receive);
live.subscribe(clusterMapTopic, ({ cluster, state }) => detail.showMap(cluster, state));
// After a reconnection, follow the open learner's map again.
live.onOpen(() => void (detail.learner && live.send(learnerMapTopic, { learner: detail.learner })));
const showStatus = (s: 'connecting' | 'open' | 'closed') => {
  liveState.textContent = C.live[s];
  liveState.dataset.status = s;
};
live.onStatus(showStatus);
showStatus(live.status);
// « il y a 3 min » moves on by itself.
setInterval(render, 30_000);
render();

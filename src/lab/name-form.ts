// The learner's display name (the one the instructor sees), changed from the progress dialog:
// same rule as on the join page (src/shared/display-name.ts), checked here first, then by the
// server (POST /api/session/name), whose French message is shown when it refuses.
import { el } from '../shared/dom';
import { checkDisplayName, NAME_MAX } from '../shared/display-name';
import { api } from './api';
import { T } from './text';

export function nameForm(): HTMLFormElement {
  const form = el('form', 'lab-name-form');
  const label = el('label', '', T.nameLabel);
  const input = el('input');
  input.id = 'lab-name-input';
  input.name = 'name';
  input.maxLength = NAME_MAX * 2;
  input.setAttribute('autocomplete', 'nickname');
  input.required = true;
  label.htmlFor = input.id;
  const save = el('button', 'lab-name-save', T.nameSave);
  save.type = 'submit';
  const status = el('span', 'lab-name-status');
  status.setAttribute('role', 'status');
  form.append(label, input, save, status);
  api.session().then((s) => (input.value = s.learner.name), () => undefined);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const checked = checkDisplayName(input.value);
    if (!checked.ok) return void (status.textContent = checked.error);
    status.textContent = '';
    api.rename(checked.name).then(
      (r) => {
        input.value = r.learner.name;
        status.textContent = T.nameSaved;
      },
      (err: Error) => (status.textContent = err.message),
    );
  });
  return form;
}

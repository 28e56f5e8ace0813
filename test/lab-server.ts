// The lab server of a browser test and its teardown: the Chromium session, the learner's
// cluster, the server and its data folder, whatever part of them the setup reached.
import { rm } from 'node:fs/promises';
import type { LabServer } from '../server/app';
import type { ChromiumSession } from './chromium';

export async function closeLabTest(parts: { browser?: ChromiumSession; lab?: LabServer; learner?: string; dataDir?: string }): Promise<void> {
  await parts.browser?.close();
  if (parts.lab) {
    if (parts.learner) await parts.lab.clusters?.down(parts.learner);
    await parts.lab.close();
  }
  if (parts.dataDir) await rm(parts.dataDir, { recursive: true, force: true });
}

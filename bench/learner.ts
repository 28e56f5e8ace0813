// One simulated learner of bench:classroom, doing what a browser does: the join link and its
// confirmation form (CSRF cookie, same-origin POST, then the session cookie), the lab API with
// that cookie and our Origin, and a terminal WebSocket typed into at a human pace.
import { TestClient } from '../server/terminals/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `name=value` pairs of a response's Set-Cookie headers. */
function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('='));
}

export interface Figures {
  echoMs: number[];
  checkMs: number[];
  failures: string[];
}

export class SimulatedLearner {
  id = '';
  private client: TestClient | undefined;
  private commands = 0;

  private constructor(
    private readonly base: string,
    readonly name: string,
    private readonly cookie: string,
  ) {}

  /** Opens the join link, confirms the name in its form, keeps the session cookie; waits out 429s like a patient learner. */
  static async join(base: string, joinUrl: string, name: string): Promise<SimulatedLearner> {
    for (;;) {
      const page = await fetch(joinUrl, { redirect: 'manual' });
      if (page.status !== 200) throw new Error(`${name}: join page ${page.status}`);
      const csrfCookie = cookiesOf(page).join('; ');
      const html = await page.text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
      const join = /name="join" value="([^"]+)"/.exec(html)?.[1];
      if (!csrf || !join) throw new Error(`${name}: no form on the join page`);
      const form = new URLSearchParams({ join, csrf, name, next: '/' });
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, Cookie: csrfCookie },
        body: form.toString(),
      });
      if (res.status === 429) {
        await sleep(Number(res.headers.get('retry-after') ?? 6) * 1000);
        continue;
      }
      if (res.status !== 303) throw new Error(`${name}: login ${res.status} ${await res.text()}`);
      const learner = new SimulatedLearner(base, name, cookiesOf(res).join('; '));
      const session = (await (await learner.api('GET', 'session')).json()) as { learner: { id: string } };
      learner.id = session.learner.id;
      return learner;
    }
  }

  api(method: 'GET' | 'POST', route: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base}/api/${route}`, {
      method,
      headers: { Cookie: this.cookie, Origin: this.base, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Starts the lab like the lab slide: waits in line (503, Retry-After) until a slot frees. Returns the seconds it took. */
  async startLab(lab: string): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      const res = await this.api('POST', `labs/${lab}/start`, {});
      if (res.status === 503) {
        await sleep(Number(res.headers.get('retry-after') ?? 5) * 1000);
        continue;
      }
      if (res.status !== 200) throw new Error(`${this.name}: start ${res.status} ${await res.text()}`);
      return (performance.now() - t0) / 1000;
    }
  }

  async openTerminal(node: string): Promise<void> {
    const url = `${this.base.replace('http', 'ws')}/api/terminal/${node}/1`;
    this.client = await TestClient.connect(url, { headers: { Cookie: this.cookie, Origin: this.base }, keepChars: 16_384 });
    await this.client.run('stty -echoctl; true', 30_000);
  }

  /** Runs a command line in the terminal at once (not timed): the lab's work done before the room is measured. */
  async run(command: string): Promise<void> {
    if (!this.client) throw new Error(`${this.name}: no terminal`);
    await this.client.run(command, 120_000);
  }

  /**
   * Types a command line one key at a time (`paceMs` between keys), timing each key's echo,
   * then Enter, and waits for a marker the shell prints after it.
   */
  async type(command: string, paceMs: number, figures: Figures): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(`${this.name}: no terminal`);
    const n = Math.floor(Math.random() * 1e9);
    const line = `${command}; echo "END-$((${n}+1))"`;
    const from = client.mark;
    for (const key of line) {
      const before = client.received;
      const t = performance.now();
      client.type(key);
      await client.waitFor(() => client.received > before, 10_000, `echo of « ${key} »`);
      const took = performance.now() - t;
      figures.echoMs.push(took);
      await sleep(Math.max(0, paceMs * (0.5 + Math.random()) - took));
    }
    client.type('\r');
    await client.waitForText(`END-${n + 1}`, from + line.length, 60_000);
    this.commands++;
  }

  /** One « Vérifier » through the HTTP API (a single look, as the bench measures the check itself). */
  async check(lab: string, exercise: string, figures: Figures): Promise<void> {
    const t = performance.now();
    const res = await this.api('POST', `labs/${lab}/check`, { exercise, wait: false });
    const text = await res.text();
    if (res.status === 429) return; // the learner clicked too often: not a failure of the room
    if (res.status !== 200 || !text.includes('"report"')) throw new Error(`${this.name}: check ${res.status} ${text.slice(0, 200)}`);
    figures.checkMs.push(performance.now() - t);
  }

  /** Active for `ms`: commands at a human pace, a think time, a check after the first command and every third one. */
  async work(ms: number, lab: string, exercise: string, commands: string[], paceMs: number, figures: Figures): Promise<void> {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      try {
        await this.type(commands[this.commands % commands.length]!, paceMs, figures);
        if (this.commands % 3 === 1) await this.check(lab, exercise, figures);
      } catch (error) {
        figures.failures.push((error as Error).message);
      }
      await sleep(1000 + Math.random() * 2000);
    }
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

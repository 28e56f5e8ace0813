import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from './edge';

export interface BodyLimits {
  /** Largest body accepted (bytes). */
  maxBytes: number;
  /** Time allowed to receive the whole body (ms). */
  timeoutMs: number;
}

/** Messages of schema errors in French (zod's own locale). */
const FRENCH = z.locales.fr().localeError;

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 64 * 1024, timeoutMs: 10_000 };

/** The raw body, bounded in size and time; throws HttpError 413 / 408. */
export async function readRaw(req: IncomingMessage, limits: BodyLimits = DEFAULT_BODY_LIMITS): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) throw new HttpError(413, `requête trop volumineuse (${limits.maxBytes} octets au plus)`);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: HttpError) => {
      cleanup();
      req.resume();
      reject(error);
    };
    const timer = setTimeout(() => fail(new HttpError(408, 'corps de requête trop lent à arriver')), limits.timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return fail(new HttpError(413, `requête trop volumineuse (${limits.maxBytes} octets au plus)`));
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = () => fail(new HttpError(400, 'requête interrompue'));
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * A JSON body validated by `schema` (an empty body counts as `{}`). Anything else is a 400 with
 * a French message naming the field; the parsed value is typed by the schema, never cast.
 */
export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S, limits?: BodyLimits): Promise<z.infer<S>> {
  const raw = await readRaw(req, limits);
  let value: unknown = {};
  if (raw.length > 0) {
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'corps JSON invalide');
    }
  }
  const parsed = schema.safeParse(value, { error: FRENCH });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? `champ « ${issue.path.join('.')} » : ` : '';
    throw new HttpError(400, `requête invalide : ${field}${issue?.message ?? 'forme inattendue'}`);
  }
  return parsed.data;
}

/** A form body (`application/x-www-form-urlencoded`), bounded like JSON. */
export async function readForm(req: IncomingMessage, limits?: BodyLimits): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'formulaire attendu');
  return new URLSearchParams((await readRaw(req, limits)).toString('utf8'));
}

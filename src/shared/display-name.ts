// A learner's display name (shown to the instructor, in the cockpit and the results): given on
// the join confirmation page and changeable later. Shared by the server (which decides) and the
// browser (which can say so before sending). Pure.

export const NAME_MIN = 1;
export const NAME_MAX = 40;

export type NameCheck = { ok: true; name: string } | { ok: false; error: string };

/** Control and format characters (C0, C1, bidi overrides, zero-width…) are refused, not removed. */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Trims, collapses inner runs of spaces, then checks length (in characters) and characters. */
export function checkDisplayName(raw: unknown): NameCheck {
  if (typeof raw !== 'string') return { ok: false, error: 'indiquez votre nom (affiché au formateur)' };
  if (CONTROL.test(raw)) return { ok: false, error: 'votre nom contient un caractère invisible ou de contrôle : retapez-le sans copier-coller' };
  const name = raw.trim().replace(/\s+/gu, ' ');
  const length = [...name].length;
  if (length < NAME_MIN) return { ok: false, error: 'indiquez votre nom (affiché au formateur)' };
  if (length > NAME_MAX) return { ok: false, error: `votre nom est trop long : ${NAME_MAX} caractères au plus (il en a ${length})` };
  return { ok: true, name };
}

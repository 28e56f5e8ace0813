// What learners read in their terminal, in French, and how it is written into the stream.

export const MESSAGES = {
  unavailable: (node: string) =>
    `Le nœud ${node} ne répond plus (arrêté ou supprimé). Réinitialisez le cluster ou attendez qu’il revienne, puis appuyez sur Entrée pour rouvrir un terminal.`,
  exited: (code: number) =>
    `Le terminal s’est terminé (code ${code}). Appuyez sur Entrée pour en ouvrir un nouveau.`,
  failed: (node: string, detail: string) =>
    `Impossible d’ouvrir un terminal sur ${node}\u00a0: ${detail}. Appuyez sur Entrée pour réessayer.`,
  reset: 'Cluster réinitialisé\u00a0: ouverture d’un nouveau terminal…',
  expired: 'Terminal fermé après une longue inactivité.',
  shutdown: 'Le serveur s’arrête.',
  slow: 'Affichage trop lent\u00a0: reconnexion…',
  tooMany: (max: number) => `Trop de terminaux ouverts (${max} au plus)\u00a0: fermez des onglets ou attendez quelques minutes.`,
  notAttached: 'hello attendu avant toute saisie',
  helloTwice: 'hello déjà reçu',
  version: (v: number) => `version de protocole ${v} non prise en charge`,
  readOnly: 'Vue en lecture seule\u00a0: la saisie n’est pas transmise au terminal.',
  absent: (node: string) => `Aucun terminal ouvert sur ${node} pour l’instant.`,
  internal: 'Erreur interne du serveur de terminaux.',
  noShell: 'aucun terminal ouvert sur ce nœud',
};

/** Thrown when a learner already holds `maxTerminalsPerLearner` terminals. */
export class TooManyTerminalsError extends Error {
  constructor(readonly max: number) {
    super(MESSAGES.tooMany(max));
    this.name = 'TooManyTerminalsError';
  }
}

const CRLF = '\r\n';
/** Leave alternate screen, show cursor, reset colours, stop mouse reporting and bracketed paste. */
const SANE = '\x1b[?1049l\x1b[?25h\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l';
const RESET = '\x1b[0m';
export const STYLE = { dim: '\x1b[2m', warning: '\x1b[33m' } as const;

/** The bytes of a notice line: screen made sane first, in case a full-screen program died. */
export const noticeBytes = (text: string, style: string): Buffer => Buffer.from(`${SANE}${CRLF}${style}${text}${RESET}${CRLF}`);
export const NEWLINE = Buffer.from(CRLF);

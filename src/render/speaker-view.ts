// The speaker view in French. reveal.js 6's notes plugin writes its speaker window from an HTML
// template held as a string in the plugin's code (dist/plugin/notes.mjs, and notes.js for the
// standalone export), with English labels, an English clock and English layout names. The deck's
// Vite plugin and the standalone export pass that code through frenchSpeakerView(), which
// replaces each English text by its French one; a text that is not found (a new reveal.js
// version) is reported, never silently left in English.

/** [English, French] texts of the speaker view, written with plain `"` quotes. */
export const SPEAKER_VIEW_FRENCH: readonly (readonly [string, string])[] = [
  ['<html lang="en">', '<html lang="fr">'],
  ['<title>reveal.js - Speaker View</title>', '<title>Vue présentateur</title>'],
  ['Loading speaker view...', 'Chargement de la vue présentateur…'],
  ['<span class="overlay-element label">Upcoming</span>', '<span class="overlay-element label">À suivre</span>'],
  ['<h4 class="label">Time <span class="reset-button">Click to Reset</span></h4>', '<h4 class="label">Temps <span class="reset-button">Cliquer pour remettre à zéro</span></h4>'],
  ['<span class="clock-value">0:00 AM</span>', '<span class="clock-value">00:00</span>'],
  ['Pacing – Time to finish current slide', 'Rythme – temps restant pour cette diapositive'],
  ["'default': 'Default'", "'default': 'Par défaut'"],
  ["'wide': 'Wide'", "'wide': 'Large'"],
  ["'tall': 'Tall'", "'tall': 'Haute'"],
  ["'notes-only': 'Notes only'", "'notes-only': 'Notes seules'"],
  ["'Layout' + ( title ? ( ': ' + title ) : '' )", "'Disposition' + ( title ? ( '\u00a0: ' + title ) : '' )"],
  ["toLocaleTimeString( 'en-US', { hour12: true, hour: '2-digit', minute:'2-digit' } )", "toLocaleTimeString( 'fr-FR', { hour: '2-digit', minute:'2-digit' } )"],
  [
    'Cross origin error.<br>The speaker window can only be opened from the same origin.',
    'Erreur d’origine.<br>La vue présentateur ne s’ouvre que depuis le site du diaporama.',
  ],
  [
    'Error connecting to main window.<br>Please try closing and reopening the speaker view.',
    'Pas de connexion avec la fenêtre du diaporama.<br>Fermez puis rouvrez la vue présentateur (touche S).',
  ],
  [
    '"The pacing time for " + slidesUnderMinimum + " slide(s) is under the configured minimum of " + minTimePerSlide + " seconds. Check the data-timing attribute on individual slides, or consider increasing the totalTime or minimumTimePerSlide configuration options (or removing some slides)."',
    '"Le temps prévu pour " + slidesUnderMinimum + " diapositive(s) est sous le minimum configuré de " + minTimePerSlide + " secondes. Vérifiez l’attribut data-timing des diapositives, ou augmentez les options totalTime ou minimumTimePerSlide (ou retirez des diapositives)."',
  ],
];

/**
 * The notes plugin's code with a French speaker view. The template is a JS string in the ES
 * module build (quotes written `\"`) and a template literal in the UMD build (plain `"`): both
 * are handled. `missing` lists the English texts that were not found.
 */
export function frenchSpeakerView(code: string): { code: string; missing: string[] } {
  const missing: string[] = [];
  let out = code;
  for (const [en, fr] of SPEAKER_VIEW_FRENCH) {
    if (out.includes(en)) out = out.replace(en, fr);
    else {
      const [enEscaped, frEscaped] = [en, fr].map((s) => s.replaceAll('"', '\\"')) as [string, string];
      if (out.includes(enEscaped)) out = out.replace(enEscaped, frEscaped);
      else missing.push(en);
    }
  }
  return { code: out, missing };
}

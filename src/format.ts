const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `3980563622` → `3.71 GiB`; exact below 1 KiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(2)} ${UNITS[unit]}`;
}

/** `1234` → `1.23 s`, `87` → `87 ms`. */
export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(2)} s`;
}

/** `1 object`, `2 objects`. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Text safe inside the HTML of a job summary. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// C0 controls (newline, carriage return, tab, …), DEL and C1 controls, and the Unicode line and
// paragraph separators: characters that break a line of a marker, a checksums file or a log.
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'gu');
const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The first control character in `text` and where it is, or undefined when there is none. */
export function controlCharacterIn(text: string): { readonly character: string; readonly index: number } | undefined {
  const match = CONTROL_CHARACTER.exec(text);
  return match === null ? undefined : { character: match[0], index: match.index };
}

/** `\n` → `000A`: how a message names a character it cannot show. */
export function codePoint(character: string): string {
  return character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * A value as a message quotes it: control characters as escapes (`\n`, `\u0085`), so a value
 * can never forge a line of a log, and at most `max` characters (a 2000-byte key stays readable).
 */
export function printable(text: string, max = 200): string {
  const escaped = text.replace(CONTROL_CHARACTERS, (character) => ESCAPES[character] ?? `\\u${codePoint(character).toLowerCase()}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

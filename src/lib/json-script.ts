/**
 * JSON for the body of a `<script type="application/json">`: `<`, `>` and `&` as \u escapes, so no
 * text from a record or config (a photo label, a credit, a tag) can close the element, open a
 * comment or start another tag; U+2028/2029 too, which older parsers treat as line ends.
 * JSON.parse reads the escapes back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

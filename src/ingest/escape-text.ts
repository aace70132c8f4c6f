// Plain text from a source, made into text that HTML (or XML) reads back as the same characters.
// Readers' text becomes HTML here so that every item's HTML goes through one sanitizer.

const SPECIAL = /[&<>]/;

export function escapeText(text: string): string {
  // Most text holds none of the three, and is returned as it is.
  if (!SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

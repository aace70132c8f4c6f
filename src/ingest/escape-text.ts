// Plain text from a source, made into text that HTML (or XML) reads back as the same characters.
// Readers' text becomes HTML here so that every item's HTML goes through one sanitizer.

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

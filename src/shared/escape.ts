// Text made into HTML (or XML) that reads back as the same characters: escapeText for element
// content (readers' text becomes HTML here, so that every item's HTML goes through one sanitizer),
// escapeHtml for content and attribute values alike. Shared by every stage that writes markup.

const SPECIAL = /[&<>]/;

export function escapeText(text: string): string {
  // Most text holds none of the three, and is returned as it is.
  if (!SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const HTML_SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  if (!HTML_SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

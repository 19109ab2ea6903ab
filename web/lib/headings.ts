/**
 * Moves every heading of rendered course HTML one level down (h1 → h2 … h5 → h6), so that the
 * item's title stays the page's only h1 whatever the author's markdown starts with. The HTML was
 * rendered and sanitized by the API (content/render.py): tags are lower case and well formed.
 */
export function demoteHeadings(html: string): string {
  return html.replace(/<(\/?)h([1-5])(?=[\s>])/g, (_, slash: string, level: string) => {
    return `<${slash}h${Number(level) + 1}`;
  });
}

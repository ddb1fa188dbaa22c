import { createMarkdownProcessor, type MarkdownProcessor } from '@astrojs/markdown-remark';

/**
 * Markdown → HTML for the explainer's text between figures, with Astro's own processor (GitHub
 * flavour, heading ids, smart punctuation), created once per build.
 */
let processor: Promise<MarkdownProcessor> | undefined;

export async function markdownToHtml(text: string): Promise<string> {
  processor ??= createMarkdownProcessor({ gfm: true, smartypants: true, syntaxHighlight: false });
  const { code } = await (await processor).render(text);
  return code;
}

/**
 * Human notes are Markdown, not HTML: raw HTML in a note shows as text (a note cannot add a script,
 * an event handler or a style the site's CSP would refuse), and links and images keep only http(s),
 * mailto, relative and fragment URLs (no `javascript:`).
 */
const SAFE_URL = /^(https?:|mailto:|[#./?]|[^:]*$)/i;

function walk(node, visit) {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
}

export default function remarkTextOnly() {
  return (tree) =>
    walk(tree, (node) => {
      if (node.type === 'html') node.type = 'text';
      if ((node.type === 'link' || node.type === 'image' || node.type === 'definition') && !SAFE_URL.test(node.url ?? '')) node.url = '#';
    });
}

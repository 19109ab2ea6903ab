import ReactMarkdown from "react-markdown";
import rehypeSanitize from "rehype-sanitize";

/**
 * Markdown written by instructors (quiz explanations): raw HTML is never rendered, and the tree
 * goes through rehype-sanitize's GitHub schema (no scripts, no event handlers, safe URLs only).
 */
export default function MarkdownRenderer({ text }: { text: string }) {
  return <ReactMarkdown rehypePlugins={[rehypeSanitize]}>{text}</ReactMarkdown>;
}

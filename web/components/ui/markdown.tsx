"use client";

import dynamic from "next/dynamic";

/**
 * Renders markdown safely. The renderer is loaded when first needed (after a quiz is graded), so
 * it stays out of every page's first-load JavaScript.
 */
const MarkdownRenderer = dynamic(() => import("@/components/ui/markdown-renderer"), {
  loading: () => null,
});

export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={`lesson ${className ?? ""}`}>
      <MarkdownRenderer text={text} />
    </div>
  );
}

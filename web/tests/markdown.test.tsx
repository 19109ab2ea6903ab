import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import MarkdownRenderer from "@/components/ui/markdown-renderer";
import { demoteHeadings } from "@/lib/headings";

describe("MarkdownRenderer", () => {
  it("renders markdown: emphasis, code and links", () => {
    const { container } = render(
      <MarkdownRenderer text={"Use `len(x)`, see [the docs](https://docs.python.org/)."} />,
    );
    expect(container.querySelector("code")?.textContent).toBe("len(x)");
    expect(screen.getByRole("link", { name: "the docs" }).getAttribute("href")).toBe("https://docs.python.org/");
  });

  it("never renders raw HTML, scripts or javascript: links", () => {
    const { container } = render(
      <MarkdownRenderer
        text={'<img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3))'}
      />,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("[onerror]")).toBeNull();
    const link = screen.queryByRole("link", { name: "click" });
    expect(link?.getAttribute("href") ?? "").not.toContain("javascript");
  });
});

describe("demoteHeadings", () => {
  it("moves every heading one level down, closing tags and attributes included", () => {
    expect(demoteHeadings('<h1 id="a">Title</h1><p>x</p><h2>Part</h2><h5>Deep</h5><h6>Deepest</h6>')).toBe(
      '<h2 id="a">Title</h2><p>x</p><h3>Part</h3><h6>Deep</h6><h6>Deepest</h6>',
    );
  });

  it("leaves other tags that start with h alone", () => {
    expect(demoteHeadings("<hr><header>x</header><h1>t</h1>")).toBe("<hr><header>x</header><h2>t</h2>");
  });
});

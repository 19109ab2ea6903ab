import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { Providers } from "@/components/layout/providers";
import "@/styles/globals.css";

export const metadata: Metadata = {
  title: { default: "Learnwise", template: "%s · Learnwise" },
  description: "Adaptive learning: courses that follow what you know.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

// Applies the stored theme before the first paint, so a dark page never flashes white.
const themeScript = `try{var t=JSON.parse(localStorage.getItem("learnwise-preferences")||"{}").state?.theme||"system";var d=t==="dark"||(t==="system"&&matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d);document.documentElement.style.colorScheme=d?"dark":"light"}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

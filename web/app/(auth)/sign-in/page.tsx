import type { Metadata } from "next";

import { SignInForm } from "@/components/features/auth/sign-in-form";
import { safeNext } from "@/lib/redirect";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next, expired } = await searchParams;
  return <SignInForm next={safeNext(next)} expired={expired !== undefined} />;
}

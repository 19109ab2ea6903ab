"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";
import { useAchievements, useCertificates } from "@/lib/hooks/data";

const day = (iso: string) => new Date(iso).toLocaleDateString();

/** The PDF needs the access token (kept in memory), so it is fetched and shown from a blob. */
async function openPdf(certificateId: string) {
  const pdf = await unwrap(
    api.GET("/api/v1/certificates/{certificate_id}.pdf", {
      params: { path: { certificate_id: certificateId } },
      parseAs: "blob",
    }),
  );
  window.open(URL.createObjectURL(pdf), "_blank", "noopener");
}

function Achievements() {
  const { data, error, mutate } = useAchievements();
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading achievements…" />;
  return (
    <Card aria-labelledby="all-achievements-title">
      <h2 id="all-achievements-title" className="mb-3 text-lg font-semibold">
        Achievements
      </h2>
      <ul className="grid gap-4 sm:grid-cols-2" data-testid="achievement-rules">
        {data.rules.map((rule) => (
          <li key={rule.type} className="flex flex-col gap-1">
            <p className="font-medium">
              {rule.title}
              {rule.earned ? " ✓" : ""}
              <span className="sr-only">{rule.earned ? " (earned)" : " (not earned yet)"}</span>
            </p>
            <p className="text-xs text-slate-600 dark:text-slate-300">
              {rule.description} · +{rule.xp} XP
              {rule.times_earned > 1 ? ` · earned ${rule.times_earned} times` : ""}
              {rule.last_awarded_at ? ` · last on ${day(rule.last_awarded_at)}` : ""}
            </p>
            {rule.progress && !rule.earned && (
              <>
                <ProgressBar value={rule.progress.fraction * 100} label={`${rule.title} progress`} />
                <p className="text-xs">
                  {rule.progress.current} of {rule.progress.target}
                </p>
              </>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Certificates() {
  const { data, error, mutate } = useCertificates();
  const [failed, setFailed] = useState<string | null>(null);
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading certificates…" />;
  return (
    <Card aria-labelledby="certificates-title">
      <h2 id="certificates-title" className="mb-3 text-lg font-semibold">
        Certificates
      </h2>
      {data.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          None yet: finish a course that awards one and it appears here.
        </p>
      ) : (
        <ul className="flex flex-col gap-3">
          {data.map((certificate) => (
            <li key={certificate.certificate_id}>
              <p className="font-medium">{certificate.course_title}</p>
              <p className="text-xs text-slate-600 dark:text-slate-300">
                Issued {day(certificate.issued_at)} · code {certificate.verification_code}
              </p>
              <div className="mt-1 flex flex-wrap gap-3 text-sm">
                <Button variant="secondary" onClick={() =>
                    openPdf(certificate.certificate_id).catch((caught: unknown) =>
                      setFailed(caught instanceof Error ? caught.message : "The PDF did not open."),
                    )
                  }>
                  Open the PDF
                </Button>
                <a href={certificate.verification_url} className="self-center text-blue-700 underline dark:text-sky-300">
                  Public verification page
                </a>
              </div>
            </li>
          ))}
        </ul>
      )}
      {failed && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {failed}
        </p>
      )}
    </Card>
  );
}

export function AchievementsPage() {
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Achievements and certificates</h1>
      <Achievements />
      <Certificates />
    </div>
  );
}

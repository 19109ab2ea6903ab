"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { useDueReviews } from "@/lib/hooks/data";

const RATINGS: { rating: Schemas["ReviewRating"]; label: string }[] = [
  { rating: "again", label: "Forgot" },
  { rating: "hard", label: "Hard" },
  { rating: "good", label: "Good" },
  { rating: "easy", label: "Easy" },
];

/** Spaced-repetition reviews that are due (FSRS): the learner rates how well they recalled. */
export function DueReviews() {
  const { data, error, mutate } = useDueReviews();
  const [failed, setFailed] = useState<string | null>(null);
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading reviews…" />;

  async function rate(review: Schemas["DueReviewRead"], rating: Schemas["ReviewRating"]) {
    setFailed(null);
    try {
      await unwrap(
        api.POST("/api/v1/ai/reviews", {
          body: { content_id: review.content_id, skill_id: review.skill_id, rating },
        }),
      );
      await mutate();
    } catch (caught) {
      setFailed(caught instanceof Error ? caught.message : "The review was not recorded.");
    }
  }

  return (
    <Card aria-labelledby="reviews-title">
      <h2 id="reviews-title" className="mb-3 text-lg font-semibold">
        Reviews due{data.total > 0 ? ` (${data.total})` : ""}
      </h2>
      {data.items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          No review due: what you have learned is still fresh.
        </p>
      ) : (
        <ul className="flex flex-col gap-3">
          {data.items.map((review) => (
            <li key={review.card_id}>
              <p className="font-medium">{review.title}</p>
              <p className="text-xs text-slate-600 dark:text-slate-300">
                Recall now about {Math.round(review.retrievability * 100)}%. How well do you remember it?
              </p>
              <div className="mt-1 flex flex-wrap gap-1" role="group" aria-label={`Rate ${review.title}`}>
                {RATINGS.map(({ rating, label }) => (
                  <Button key={rating} variant="secondary" onClick={() => void rate(review, rating)}>
                    {label}
                  </Button>
                ))}
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

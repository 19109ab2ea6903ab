/** An RFC 9457 problem as the API answers it (`code` is stable, `detail` is for people). */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: { loc: (string | number)[]; msg: string }[];
}

/** The API answered with an error status. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  get code(): string {
    return this.problem.code;
  }
}

/** The API could not be reached (offline, server down): the request may be retried as is. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("The server could not be reached. Check your connection and try again.", { cause });
    this.name = "NetworkError";
  }
}

export function toProblem(body: unknown, response: Response): Problem {
  const fields = typeof body === "object" && body !== null ? (body as Partial<Problem>) : {};
  const title = fields.title ?? (response.statusText || "Request failed");
  return {
    status: response.status,
    code: fields.code ?? "http-error",
    title,
    detail: fields.detail ?? title,
    errors: fields.errors,
  };
}

/**
 * The lifecycle both servers go through: idle (made), listening (after listen()), draining
 * (close() called: answering what was received, accepting nothing new), closed.
 */
export type ServerState = "idle" | "listening" | "draining" | "closed";

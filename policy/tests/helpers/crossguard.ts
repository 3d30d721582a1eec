// The local CrossGuard runner is part of the pack (the offline preview uses it too).
export * from "../../local";

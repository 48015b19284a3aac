// Public API of this package: filled in as its parts land.
export {};

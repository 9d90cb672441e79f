// A worker that cannot even parse (F18).
const = 1

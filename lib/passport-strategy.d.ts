// `passport-strategy` has no types of its own, and `@types/passport-strategy` would bring in
// Passport's and Express's: lib/passport.ts only extends its class.
declare module 'passport-strategy' {
  const Strategy: abstract new () => object
  export default Strategy
}

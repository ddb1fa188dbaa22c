/** The slice of Alpine.js (CSP build) this site uses (the package ships no type declarations). */
declare module '@alpinejs/csp' {
  interface AlpineStatic {
    data(name: string, callback: (...args: never[]) => object): void;
    start(): void;
  }
  const Alpine: AlpineStatic;
  export default Alpine;
}

// ml.js's logistic regression ships no type declarations; bench/peers.ts types what it uses.
declare module "ml-logistic-regression";

// The model under test: identity predict, a plain synchronous method (what a user writes).
export default class IdentityModel {
  predict (X) {
    return X
  }
}

// A Predict method of a seldon.protos service that sends and receives bytes as they are: the
// benchmarks encode the request once with the protocol codec and leave answers undecoded.
export function bytesPredictMethod (service) {
  const same = (bytes) => bytes
  return {
    path: `/seldon.protos.${service}/Predict`,
    requestStream: false,
    responseStream: false,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same
  }
}

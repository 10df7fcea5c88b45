/**
 * The deployment labels the Python wrapper adds to every custom metric (seldon-core v1.18.2 python/seldon_core/metrics.py).
 */

/** The wrapper's placeholder for an unknown deployment attribute. */
export const NOT_IMPLEMENTED = 'NOT_IMPLEMENTED'

/** Deployment attributes; an absent one becomes `NOT_IMPLEMENTED`. */
export interface DeploymentLabels {
  /** `deployment_name` and `seldon_deployment_name` (env `SELDON_DEPLOYMENT_ID`). */
  deploymentName?: string | undefined
  /** `model_name` (env `PREDICTIVE_UNIT_ID`). */
  modelName?: string | undefined
  /**
   * A full image reference (env `PREDICTIVE_UNIT_IMAGE`), split at its last colon into
   * `modelImage` / `modelVersion` unless those are given.
   */
  image?: string | undefined
  /** `model_image` and `image_name`. */
  modelImage?: string | undefined
  /** `model_version` and `image_version`. */
  modelVersion?: string | undefined
  /** `predictor_name` (env `PREDICTOR_ID`). */
  predictorName?: string | undefined
  /** `predictor_version` (the `version` key of the JSON in env `PREDICTOR_LABELS`). */
  predictorVersion?: string | undefined
}

/** The label names, in the wrapper's merge order. */
export const DEPLOYMENT_LABEL_NAMES = [
  'deployment_name', 'model_name', 'model_image', 'model_version', 'predictor_name', 'predictor_version',
  'seldon_deployment_name', 'image_name', 'image_version'
] as const

export type DeploymentLabelName = typeof DEPLOYMENT_LABEL_NAMES[number]

/**
 * Split an image reference the way the wrapper's `split_image_tag` does: at the last colon;
 * without a colon the image is `""` and the version the whole string.
 */
export function splitImage (image: string): { modelImage: string, modelVersion: string } {
  const at = image.lastIndexOf(':')
  return { modelImage: at < 0 ? '' : image.slice(0, at), modelVersion: image.slice(at + 1) }
}

/** Read the deployment attributes from the environment, as the wrapper does (docs/wrapper-behaviour.md, "Custom metrics"). */
export function deploymentLabelsFromEnv (env: NodeJS.ProcessEnv = process.env): DeploymentLabels {
  return {
    deploymentName: env.SELDON_DEPLOYMENT_ID,
    modelName: env.PREDICTIVE_UNIT_ID,
    image: env.PREDICTIVE_UNIT_IMAGE,
    predictorName: env.PREDICTOR_ID,
    predictorVersion: predictorVersionFrom(env.PREDICTOR_LABELS)
  }
}

function predictorVersionFrom (json: string | undefined): string | undefined {
  if (json === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(json)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
    const version = (parsed as Record<string, unknown>).version
    return typeof version === 'string' || typeof version === 'number' ? String(version) : undefined
  } catch {
    return undefined
  }
}

/** The nine label values, every absent one `NOT_IMPLEMENTED`. */
export function resolveDeploymentLabels (d: DeploymentLabels = {}): Readonly<Record<DeploymentLabelName, string>> {
  const split = splitImage(d.image ?? `${NOT_IMPLEMENTED}:${NOT_IMPLEMENTED}`)
  const deploymentName = d.deploymentName ?? NOT_IMPLEMENTED
  const modelImage = d.modelImage ?? split.modelImage
  const modelVersion = d.modelVersion ?? split.modelVersion
  return Object.freeze({
    deployment_name: deploymentName,
    model_name: d.modelName ?? NOT_IMPLEMENTED,
    model_image: modelImage,
    model_version: modelVersion,
    predictor_name: d.predictorName ?? NOT_IMPLEMENTED,
    predictor_version: d.predictorVersion ?? NOT_IMPLEMENTED,
    seldon_deployment_name: deploymentName,
    image_name: modelImage,
    image_version: modelVersion
  })
}

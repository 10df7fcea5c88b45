// Must NOT compile: a class that implements Model without predict. check-packages expects tsc to
// fail naming 'predict'.
import type { Model } from '@fastify-seldon/model'

export class NoPredict implements Model {
  classNames = ['a']
}

/**
 * Prediction drift: the model's outputs moved. Labels arrive late or never, so a shift in
 * the predicted class mix, the score distribution or the confidence is often the first
 * sign that inputs changed in a way that matters to the model. Categorical outputs
 * (`class`) are judged by categorical drift, numeric outputs (`score`, `confidence`) by
 * numeric drift, with the same statistics, floors and sketch-error handling; findings carry
 * the detector id `prediction_drift` and the output name as the feature.
 */
import {
  type CategoricalDriftConfig,
  categoricalDriftCandidates,
  resolveCategoricalDriftConfig,
} from './categoricalDrift.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import {
  type NumericDriftConfig,
  numericDriftCandidates,
  resolveNumericDriftConfig,
} from './numericDrift.js';
import { rowRepetition } from './rowRepetition.js';
import { numericView } from './thresholds.js';

/** Configuration of {@link createPredictionDriftDetector}. */
export interface PredictionDriftConfig {
  /** Numeric outputs (scores, confidence); defaults as numeric drift. */
  numeric?: NumericDriftConfig;
  /** Categorical outputs (predicted class); defaults as categorical drift. */
  categorical?: CategoricalDriftConfig;
}

/** Drift of every prediction output present in the reference and the window. */
export function createPredictionDriftDetector(config: PredictionDriftConfig = {}): Detector {
  const numeric = resolveNumericDriftConfig(config.numeric, 'prediction_drift::numeric');
  const categorical = resolveCategoricalDriftConfig(config.categorical, 'prediction_drift::categorical');
  return {
    id: 'prediction_drift',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const out: Candidate[] = [];
      // Prediction outputs come from the same rows as the features, repeated alike.
      const repetition = rowRepetition(reference, current).share;
      for (const [output, summary] of current.predictions) {
        const ref = reference.predictions.get(output);
        if (ref === undefined || ref.kind !== summary.kind) continue;
        if (ref.kind === 'categorical' && summary.kind === 'categorical') {
          out.push(
            ...categoricalDriftCandidates(
              'prediction_drift',
              output,
              ref,
              summary,
              reference,
              categorical,
              undefined,
              repetition,
            ),
          );
          continue;
        }
        const a = numericView(ref);
        const b = numericView(summary);
        if (a && b)
          out.push(
            ...numericDriftCandidates(
              'prediction_drift',
              output,
              a.summary,
              b.summary,
              reference,
              numeric,
              a.view,
              repetition,
            ),
          );
      }
      return out;
    },
  };
}

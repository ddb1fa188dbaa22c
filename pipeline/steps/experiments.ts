import type { AtlasModel } from '../model/atlas-model.ts';
import type { BuildContext } from './context.ts';
import { correspondenceStep } from './correspondence.ts';
import { transferStep } from './transfer.ts';

/** Zeiler & Fergus's part correspondence and transfer by layer; returns how many pages they add. */
export async function zeilerFergusExperiments(model: AtlasModel, ctx: BuildContext): Promise<number> {
  const correspondence = await correspondenceStep(model, ctx);
  const transfer = await transferStep(model, ctx);
  return (correspondence ? 1 : 0) + (transfer ? 1 : 0);
}

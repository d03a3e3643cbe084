// The form screen: the inputs a diagnosis asks for before it runs (InputForm, with its pickers),
// sized to the screen. The values live in the app's state (state.ts); its keys are FORM_KEYS.
import type { RefObject } from 'react';
import { InputForm, type FormKeyHandler } from '../components/InputForm.tsx';
import type { FormState } from '../state.ts';
import type { Suggest } from '../suggest.ts';

export interface FormScreenProps {
  form: FormState;
  /** rows available to the screen */
  height: number;
  suggest?: Suggest;
  context?: string;
  keys: RefObject<FormKeyHandler | undefined>;
  onChange(name: string, value: string): void;
}

export function FormScreen({ form, height, suggest, context, keys, onChange }: FormScreenProps) {
  return (
    <InputForm
      title={form.item.title}
      inputs={form.item.inputs}
      values={form.values}
      active={form.active}
      error={form.error}
      suggest={suggest}
      context={context}
      keys={keys}
      onChange={onChange}
      listHeight={Math.max(1, height - form.item.inputs.length - 8)}
    />
  );
}

import { CopyButton } from './copy-button';
import { Dialog } from './dialog';

/**
 * A secret shown once (a SCIM token, a webhook's signing secret): the warning that it cannot be
 * shown again, the value with a Copy button, and Confirm, which closes the dialog and drops the value.
 */
export function ShownOnce(props: {
  title: string;
  /** What is shown, for the field's label; undefined: the dialog is closed. */
  shown: { label: string; value: string } | undefined;
  warning: string;
  onConfirm: () => void;
  returnTo?: string;
}) {
  return (
    <Dialog
      open={props.shown !== undefined}
      title={props.title}
      alert
      onClose={props.onConfirm}
      {...(props.returnTo ? { returnTo: props.returnTo } : {})}
    >
      {props.shown && (
        <>
          <p class="expiry urgent" id="shown-once-warning">
            {props.warning}
          </p>
          <label for="shown-once-value">{props.shown.label}</label>
          <div class="copy-row">
            <input id="shown-once-value" readOnly value={props.shown.value} aria-describedby="shown-once-warning" />
            <CopyButton value={props.shown.value} />
          </div>
          <div class="actions">
            <button type="button" class="primary" onClick={props.onConfirm}>
              Confirm
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

import { Text } from 'ink';
import { tailLines } from '../incident/text-tail.js';
import { useKeys } from '../keys/use-keys.js';
import { ScreenShell } from '../shell/ScreenShell.js';

/** Risky drills ask first: y goes on, anything that means no goes back. */
export function ConfirmScreen({
  warnings,
  onConfirm,
  onBack,
  isActive = true,
}: {
  warnings: { drill: string; warning: string }[];
  onConfirm(): void;
  onBack(): void;
  isActive?: boolean;
}) {
  useKeys(
    (input, key) => {
      if (input === 'y' || input === 'Y') onConfirm();
      else if (input === 'n' || input === 'N' || input === 'q' || key.escape) onBack();
    },
    { isActive },
  );
  return (
    <ScreenShell
      title="Before it starts"
      caption="Run it?"
      captionTone="warn"
      panels={[
        {
          id: 'warnings',
          // Each warning in full, over as many lines as it takes: it is what the user agrees to.
          min: warnings.length,
          want: (columns) => warnings.reduce((sum, { drill, warning }) => sum + tailLines(`${drill}: ${warning}`, columns, Infinity).length, 0),
          render: () =>
            warnings.map(({ drill, warning }) => (
              <Text key={drill}>
                <Text bold>{drill}</Text>: {warning}
              </Text>
            )),
        },
      ]}
      keys={[
        { key: 'y', label: 'yes' },
        { key: 'n / Esc', label: 'no' },
      ]}
    />
  );
}

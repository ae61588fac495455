import { Box, Text, useInput } from 'ink';

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
  useInput(
    (input, key) => {
      if (input === 'y' || input === 'Y') onConfirm();
      else if (input === 'n' || input === 'N' || input === 'q' || key.escape) onBack();
    },
    { isActive },
  );
  return (
    <Box flexDirection="column">
      <Text bold color="yellow">
        Before it starts
      </Text>
      <Box flexDirection="column" marginY={1}>
        {warnings.map(({ drill, warning }) => (
          <Text key={drill}>
            <Text bold>{drill}</Text>: {warning}
          </Text>
        ))}
      </Box>
      <Text>
        Run it? <Text bold>y</Text> yes · <Text bold>n</Text> / Esc no
      </Text>
    </Box>
  );
}

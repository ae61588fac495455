import { Box, Text } from 'ink';

/** The machines the store holds; Enter picks one. */
export function MachineSwitcher({ machines, cursor, current }: { machines: string[]; cursor: number; current: string }) {
  return (
    <Box flexDirection="column">
      <Text bold>Switch machine</Text>
      {machines.map((machine, index) => (
        <Text key={machine} inverse={index === cursor}>
          {`${index === cursor ? '›' : ' '} ${machine}${machine === current ? '  (shown)' : ''}`}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The Menu (components/Menu.tsx) as a panel: a list to pick from (answers to a question, a
 * picker's entries) in the rows it is given, scrolling to keep the cursor in view.
 */
import { Menu, type MenuProps } from '../components/Menu.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

export function selectListPanel<T>(
  props: Omit<MenuProps<T>, 'rows' | 'columns'>,
  { id = 'select', title, priority = 1, min = 3 }: { id?: string; title?: string; priority?: number; min?: number } = {},
): ShellPanel {
  return {
    id,
    title,
    min: Math.min(min, props.items.length),
    want: props.items.length,
    priority,
    render: (budget) => <Menu {...props} {...budget} />,
  };
}

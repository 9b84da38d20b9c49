// Discord rendering of game buttons (the end-to-end round is in discord-e2e.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ButtonStyle, ComponentType } from 'discord.js';
import { toDiscordComponents, toDiscordPayload } from '../../src/adapters/discord/payload.ts';

describe('discord game buttons', () => {
  it('renders reply buttons as an action row of buttons with their ids, styles and state', () => {
    const payload = toDiscordPayload({
      title: 'Round 1',
      text: 'Who is this?',
      buttons: [
        { id: 'game:ab:0:penny', label: 'Penny', style: 'primary' },
        { id: 'game:ab:0:amy', label: 'Amy', style: 'success', disabled: true },
        { id: 'game:ab:0:raj', label: 'Raj' },
      ],
    });
    // As sent to Discord (the builder leaves `emoji: undefined`, which JSON drops).
    assert.deepEqual(JSON.parse(JSON.stringify(payload.components)), [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            custom_id: 'game:ab:0:penny',
            label: 'Penny',
            style: ButtonStyle.Primary,
            disabled: false,
          },
          {
            type: ComponentType.Button,
            custom_id: 'game:ab:0:amy',
            label: 'Amy',
            style: ButtonStyle.Success,
            disabled: true,
          },
          {
            type: ComponentType.Button,
            custom_id: 'game:ab:0:raj',
            label: 'Raj',
            style: ButtonStyle.Secondary,
            disabled: false,
          },
        ],
      },
    ]);
  });

  it('leaves components out without buttons, and clears them with an empty list', () => {
    assert.equal('components' in toDiscordPayload({ text: 'hi' }), false);
    assert.deepEqual(toDiscordPayload({ text: 'hi', buttons: [] }).components, []);
  });

  it('wraps rows at five buttons, cuts long labels and drops ids Discord would refuse', () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({
      id: `b${i}`,
      label: i === 0 ? 'x'.repeat(90) : `B${i}`,
    }));
    const rows = toDiscordComponents([...buttons, { id: 'y'.repeat(101), label: 'too long' }]);
    assert.deepEqual(
      rows.map((r) => r.components.map((c) => ('custom_id' in c ? c.custom_id : ''))),
      [
        ['b0', 'b1', 'b2', 'b3', 'b4'],
        ['b5', 'b6'],
      ],
    );
    const first = rows[0]?.components[0];
    assert.equal(first && 'label' in first ? first.label?.length : 0, 80);
  });
});

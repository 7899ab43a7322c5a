-- The recipient's name, which the default templates greet. The renderer supplies it as
-- `recipient_name` (for digests too). Templates greet with a section, so a user without a name
-- reads "Hello," and never "Hello ,".

ALTER TABLE notification_preferences
    ADD COLUMN name text
        CONSTRAINT notification_preferences_name_check CHECK (char_length(name) BETWEEN 1 AND 200 AND name !~ '[\r\n]');

COMMENT ON COLUMN notification_preferences.name IS 'How emails greet the user ({{recipient_name}}); NULL greets without a name.';

UPDATE notification_templates
   SET html_body = replace(html_body, 'Hello {{recipient_name}},', 'Hello{{#recipient_name}} {{recipient_name}}{{/recipient_name}},'),
       text_body = replace(text_body, 'Hello {{recipient_name}},', 'Hello{{#recipient_name}} {{recipient_name}}{{/recipient_name}},')
 WHERE tenant_id IS NULL AND key IN ('task.assigned', 'invoice.overdue', 'digest', 'default');

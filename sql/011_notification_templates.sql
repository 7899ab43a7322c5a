-- NotificationTemplate: how a notification type is rendered (Mustache: {{name}} escaped,
-- {{{name}}} raw, {{#items}}…{{/items}} sections). A row with tenant_id NULL is the default for
-- every tenant; a tenant overrides it with a row of the same key and its tenant_id.

CREATE TABLE notification_templates (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The notification type it renders ('task.assigned'), or 'digest' / 'default'.
    key        text        NOT NULL
        CONSTRAINT notification_templates_key_check CHECK (
            char_length(key) <= 128 AND key ~ '^[A-Za-z0-9_]+([.:-][A-Za-z0-9_]+)*$'),
    tenant_id  uuid,
    -- A header line: no line breaks; RFC 5322 caps a line at 998 characters.
    subject    text        NOT NULL
        CONSTRAINT notification_templates_subject_check CHECK (char_length(subject) BETWEEN 1 AND 998 AND subject !~ '[\r\n]'),
    html_body  text        NOT NULL
        CONSTRAINT notification_templates_html_body_check CHECK (char_length(html_body) BETWEEN 1 AND 1000000),
    text_body  text        NOT NULL
        CONSTRAINT notification_templates_text_body_check CHECK (char_length(text_body) BETWEEN 1 AND 1000000),
    -- NULL: this type is never sent by SMS. Twilio refuses bodies over 1,600 characters.
    sms_body   text
        CONSTRAINT notification_templates_sms_body_check CHECK (char_length(sms_body) BETWEEN 1 AND 1600),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_templates_key_tenant_key UNIQUE NULLS NOT DISTINCT (key, tenant_id)
);

COMMENT ON TABLE notification_templates IS 'NotificationTemplate: Mustache subject/html/text/SMS bodies per notification type (key); tenant_id NULL is the default, a tenant row overrides it.';

CREATE TRIGGER notification_templates_touch BEFORE UPDATE ON notification_templates
    FOR EACH ROW EXECUTE FUNCTION herald_touch_updated_at();

-- Default templates. Every template sees the notification's `data` object at the top level, plus
-- `recipient_name`, `tenant_name` and `app_url` when the renderer supplies them. The digest sees
-- `period_label`, `count` and `items` (each with `subject`, `text`, `url`, `priority`, `created_at`).
INSERT INTO notification_templates (key, tenant_id, subject, html_body, text_body, sms_body) VALUES
('task.assigned', NULL,
 'New task: {{task_title}}',
 '<p>Hello {{recipient_name}},</p>
<p>{{assigned_by}} assigned you the task <strong>{{task_title}}</strong>{{#due_date}}, due {{due_date}}{{/due_date}}.</p>
{{#url}}<p><a href="{{url}}">Open the task</a></p>{{/url}}',
 'Hello {{recipient_name}},

{{assigned_by}} assigned you the task "{{task_title}}"{{#due_date}}, due {{due_date}}{{/due_date}}.
{{#url}}
Open the task: {{url}}
{{/url}}',
 'Task assigned: {{task_title}}{{#due_date}} (due {{due_date}}){{/due_date}}'),

('invoice.overdue', NULL,
 'Invoice {{invoice_number}} is overdue',
 '<p>Hello {{recipient_name}},</p>
<p>Invoice <strong>{{invoice_number}}</strong> for {{amount}} was due on {{due_date}} and is now {{days_overdue}} days overdue.</p>
{{#url}}<p><a href="{{url}}">View the invoice</a></p>{{/url}}',
 'Hello {{recipient_name}},

Invoice {{invoice_number}} for {{amount}} was due on {{due_date}} and is now {{days_overdue}} days overdue.
{{#url}}
View the invoice: {{url}}
{{/url}}',
 'Invoice {{invoice_number}} ({{amount}}) is {{days_overdue}} days overdue.'),

('message.posted', NULL,
 '{{author_name}} posted in {{thread_subject}}',
 '<p>{{author_name}} wrote in <strong>{{thread_subject}}</strong>:</p>
<blockquote>{{excerpt}}</blockquote>
{{#url}}<p><a href="{{url}}">Reply in the discussion</a></p>{{/url}}',
 '{{author_name}} wrote in "{{thread_subject}}":

{{excerpt}}
{{#url}}
Reply in the discussion: {{url}}
{{/url}}',
 NULL),

('digest', NULL,
 'Your {{period_label}} summary: {{count}} notifications',
 '<p>Hello {{recipient_name}},</p>
<p>Here is what happened {{period_label}}:</p>
<ul>
{{#items}}<li>{{#url}}<a href="{{url}}">{{subject}}</a>{{/url}}{{^url}}{{subject}}{{/url}}{{#text}}<br>{{text}}{{/text}}</li>
{{/items}}</ul>',
 'Hello {{recipient_name}},

Here is what happened {{period_label}}:
{{#items}}
- {{subject}}{{#url}} ({{url}}){{/url}}
{{/items}}',
 NULL),

-- Fallback for a type without a template of its own.
('default', NULL,
 'New notification: {{type}}',
 '<p>Hello {{recipient_name}},</p>
<p>You have a new notification ({{type}}).</p>
{{#url}}<p><a href="{{url}}">Open it</a></p>{{/url}}',
 'Hello {{recipient_name}},

You have a new notification ({{type}}).
{{#url}}
Open it: {{url}}
{{/url}}',
 'New notification: {{type}}');

{#-
    No raw personal data where readers reach: every text column of every published relation
    (public models and seeds, what the reader file holds and the reader roles may read) is
    checked against the classification of the sources (meta pii) and the patterns:
    - a column named like a classified source column (email, first_name, ...) is not published;
    - a raw_values JSON holds each classified field masked (with ***) or null;
    - no value looks like an email address or a phone number (hashes and masks do not match).
    A published relation that is not built cannot be scanned: that fails too.
-#}
{{ config(tags=['pii']) }}

{%- set found = published_text_columns() if execute else none -%}
{%- set text_columns = found.columns if found else [] -%}
{%- set unbuilt = found.unbuilt if found else [] -%}
{%- set classified = {} -%}
{%- for source_name, table_name, column_name, pii_class in (pii_classification() if execute else []) -%}
{%- do classified.update({column_name: pii_class}) -%}
{%- endfor %}

with

findings as (

    {%- for relation, column_name in text_columns %}
    {%- if column_name | lower in classified %}
    select
        '{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
        'a classified column ({{ classified[column_name | lower] }}) is published' as finding,
        cast({{ column_name }} as {{ dbt.type_string() }}) as sample_value
    from {{ relation }}
    where {{ column_name }} is not null
    union all
    {%- endif %}
    {%- if column_name | lower == 'raw_values' %}
    {%- for key, pii_class in classified.items() | sort %}
    select
        '{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
        'raw field {{ key }} ({{ pii_class }}) not masked' as finding,
        {{ json_text_field(column_name, key) }} as sample_value
    from {{ relation }}
    where
        {{ column_name }} like '%"{{ key }}"%'
        and {{ json_text_field(column_name, key) }} not like '%***%'
    union all
    {%- endfor %}
    {%- endif %}
    select
        '{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
        'looks like an email address or a phone number' as finding,
        cast({{ column_name }} as {{ dbt.type_string() }}) as sample_value
    from {{ relation }}
    {#- each pattern behind a plain LIKE of a character it needs (an @; a separator), so that
        the regular expressions run only on the few values that can match #}
    where
        (
            {{ column_name }} like '%@%'
            and {{ regex_matches(column_name, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+[.][A-Za-z.]+') }}
        )
        {#- a phone number has separators; md5 keys (hex) and ISO dates do not match #}
        or (
            ({{ column_name }} like '%-%' or {{ column_name }} like '% %')
            and {{ regex_matches(column_name, '[+]?[0-9]{1,3}[- ][0-9]{2,4}[- ][0-9]{3}[- ][0-9]{3,4}') }}
        )
    union all
    {%- endfor %}
    {%- for name in unbuilt %}
    select
        '{{ name }}' as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        'not built, so not scanned' as finding,
        cast(null as {{ dbt.type_string() }}) as sample_value
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as finding,
        cast(null as {{ dbt.type_string() }}) as sample_value
    where 1 = 0

)

select * from findings

{# run after every published model (a test that only introspects would otherwise run first);
   test_governance.py checks that this list names every public model #}
-- depends_on: {{ ref('dim_customers') }}, {{ ref('dim_products') }}, {{ ref('dim_dates') }}
-- depends_on: {{ ref('fct_orders') }}, {{ ref('fct_order_items') }}, {{ ref('fct_payments') }}
-- depends_on: {{ ref('fct_web_events') }}, {{ ref('fct_sessions') }}
-- depends_on: {{ ref('obt_order_items') }}, {{ ref('obt_customers') }}
-- depends_on: {{ ref('audit_quarantine') }}, {{ ref('audit_row_accounting') }}
-- depends_on: {{ ref('dq_test_results_daily') }}
-- depends_on: {{ ref('ml_customer_signals') }}, {{ ref('ml_customer_features_daily') }}
-- depends_on: {{ ref('ml_customer_features_online') }}, {{ ref('ml_churn_labels') }}
-- depends_on: {{ ref('ml_churn_training_set') }}, {{ ref('ml_churn_training_set_fingerprint') }}
-- depends_on: {{ ref('ml_feature_drift_weekly') }}

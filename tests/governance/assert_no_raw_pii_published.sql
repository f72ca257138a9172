{#-
    No raw PII in the marts: every text column of every table in the marts schema is scanned
    for values that look like an email address or a phone number. Hashes and masked values
    (p***@example.com, ***5170) do not match.
-#}
{{ config(tags=['pii']) }}

{%- set found = model_text_columns(ref('dim_customers').schema) if execute else none -%}
{%- set text_columns = found.columns if found else [] -%}
{%- set unbuilt_marts = found.unbuilt if found else [] %}

with

findings as (

    {%- for relation, column_name in text_columns %}
    select
        '{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
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
    {#- a mart that is not there cannot be scanned: that fails the test too #}
    {%- for name in unbuilt_marts %}
    select
        '{{ name }}' as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        'not built, so not scanned' as sample_value
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as sample_value
    where 1 = 0

)

select * from findings

{# run after every mart (a test that only introspects would otherwise run first) #}
-- depends_on: {{ ref('dim_customers') }}, {{ ref('dim_products') }}, {{ ref('dim_dates') }}
-- depends_on: {{ ref('fct_orders') }}, {{ ref('fct_order_items') }}, {{ ref('fct_payments') }}
-- depends_on: {{ ref('fct_web_events') }}, {{ ref('fct_sessions') }}
-- depends_on: {{ ref('obt_order_items') }}, {{ ref('obt_customers') }}

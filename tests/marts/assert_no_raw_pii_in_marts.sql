{#-
    No raw PII in the marts: every text column of every table in the marts schema is scanned
    for values that look like an email address or a phone number. Hashes and masked values
    (p***@example.com, ***5170) do not match.
-#}
{{ config(tags=['pii']) }}



{%- set columns_query -%}
    select table_name, column_name
    from information_schema.columns
    where table_schema = 'marts'
        and lower(data_type) in ('varchar', 'text', 'character varying', 'string')
    order by 1, 2
{%- endset -%}

{%- set text_columns = run_query(columns_query).rows if execute else [] -%}

with

findings as (

    {%- for table_name, column_name in text_columns %}
    select
        '{{ table_name }}' as table_name,
        '{{ column_name }}' as column_name,
        cast({{ column_name }} as {{ dbt.type_string() }}) as sample_value
    from {{ target.database }}.marts.{{ table_name }}
    where
        {{ regex_matches(column_name, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+[.][A-Za-z.]+') }}
        {#- a phone number has separators; md5 keys (hex) and ISO dates do not match #}
        or {{ regex_matches(column_name, '[+]?[0-9]{1,3}[- ][0-9]{2,4}[- ][0-9]{3}[- ][0-9]{3,4}') }}
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

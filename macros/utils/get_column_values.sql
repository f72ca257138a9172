{#
    The distinct values of a column, as a list, when the project runs (dbt_utils'
    get_column_values, with the same arguments, so the package can replace it):
      table       a relation (ref/source)
      column      the column name
      order_by    order of the values (default: most frequent first)
      max_records at most this many values (default: all)
      default     what to return while dbt only parses, or when the table does not exist yet
                  (default: an empty list)
      where       an optional filter
#}
{% macro get_column_values(table, column, order_by='count(*) desc', max_records=none, default=none, where=none) -%}
    {{ return(adapter.dispatch('shop_get_column_values', 'shop_warehouse')(
        table, column, order_by, max_records, default, where)) }}
{%- endmacro %}

{% macro default__shop_get_column_values(table, column, order_by, max_records, default, where) -%}
    {%- set default = [] if default is none else default -%}
    {%- if not execute -%}
        {{ return(default) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(table.database, table.schema, table.identifier) -%}
    {%- if relation is none -%}
        {{ return(default) }}
    {%- endif -%}
    {%- set query -%}
        select {{ column }} as value
        from {{ relation }}
        {% if where is not none %}where {{ where }}{% endif %}
        group by {{ column }}
        order by {{ order_by }}
        {% if max_records is not none %}limit {{ max_records }}{% endif %}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

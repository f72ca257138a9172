{#
    The text columns of every model dbt builds in a schema, as the engine reports them (each
    engine has its own catalog: information_schema on DuckDB and PostgreSQL, the metastore on
    Spark), so a new model is covered without being named. Returns {'columns': [(relation,
    column name)], 'unbuilt': [names of the models not found in the warehouse]}. Needs execute.
#}
{% macro model_text_columns(schema_name) -%}
    {%- set columns = [] -%}
    {%- set unbuilt = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- if node.resource_type == 'model' and node.schema == schema_name
            and node.config.materialized != 'ephemeral' -%}
            {%- set relation = adapter.get_relation(database=node.database, schema=node.schema,
                identifier=node.alias) -%}
            {%- if relation is none -%}
                {%- do unbuilt.append(node.alias) -%}
            {%- endif -%}
            {%- for column in (adapter.get_columns_in_relation(relation) if relation else []) -%}
                {%- if normalized_type(column.dtype) == 'varchar' -%}
                    {%- do columns.append((relation, column.name)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'columns': columns, 'unbuilt': unbuilt}) }}
{%- endmacro %}

{#
    What readers reach: the public models (dbt access: public) and the reference seeds. The
    published warehouse file holds exactly these (shopdw publish reads the same rule from the
    manifest); on PostgreSQL the reader roles are granted exactly these.
    Returns a list of graph nodes, sorted by name. Needs execute.
#}
{% macro published_nodes() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- if (node.resource_type == 'model' and node.access == 'public'
            and node.config.materialized != 'ephemeral') or node.resource_type == 'seed' -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{%- endmacro %}

{#
    The text columns of every published relation, as the engine reports them (each engine
    has its own catalog), so a new public model is covered without being named. Returns
    {'columns': [(relation, column name)], 'unbuilt': [names of published relations not found
    in the warehouse]}. Needs execute.
#}
{% macro published_text_columns() -%}
    {%- set columns = [] -%}
    {%- set unbuilt = [] -%}
    {%- for node in published_nodes() -%}
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
    {%- endfor -%}
    {{ return({'columns': columns, 'unbuilt': unbuilt}) }}
{%- endmacro %}
